/* one row per current follow: follower and creator as positions in account_id order (any row order: the app groups them only when it needs to) */
with positions as (
    select
        s.account_id,
        cast(row_number() over (order by s.account_id) - 1 as integer) as pos
    from account_scores as s
),

final as (
    select
        fp.pos as follower_pos,
        cp.pos as creator_pos
    from follows as f
    inner join positions as fp on fp.account_id = f.follower_id
    inner join positions as cp on cp.account_id = f.creator_id
    where f.unfollowed_at is null
)

select * from final

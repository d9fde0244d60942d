/* one row per injected account: when it followed the attacked creator */
with injected as (
    select unnest(cast($ids as bigint[])) as account_id
),

final as (
    select
        f.follower_id as account_id,
        min(f.followed_at) as followed_at
    from follows as f
    inner join injected as i on i.account_id = f.follower_id
    where f.creator_id = $creator_id
    group by f.follower_id
)

select * from final
order by followed_at

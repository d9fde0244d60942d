/* one row per creator per score bin (floor(score*1000)): current followers in that bin */
with current_followers as (
    select
        f.creator_id,
        least(cast(floor(coalesce(s.score, 0) * 1000) as integer), 999) as bin
    from follows as f
    left join account_scores as s on s.account_id = f.follower_id
    where f.unfollowed_at is null
),

final as (
    select
        cf.creator_id,
        cf.bin,
        cast(count(*) as bigint) as followers
    from current_followers as cf
    group by all
)

select * from final
order by creator_id, bin

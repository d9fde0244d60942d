/* one row per new follower of one spike, most suspicious first */
with spike as (
    select
        sf.*,
        -- the follower's creation cohort within this spike: created in the same hour
        count(*) over (partition by date_trunc('hour', sf.created_at)) as cohort_size
    from spike_followers as sf
    where sf.spike_id = $spike_id
),

followers as (
    select *
    from spike as sp
    order by sp.score desc nulls last, sp.followed_at
    limit $limit
),

final as (
    select
        f.account_id,
        f.username,
        f.followed_at,
        f.score,
        f.model_flagged,
        f.age_at_follow_days,
        f.created_at,
        f.cohort_size,
        f.has_profile_pic
    from followers as f
)

select * from final
order by score desc nulls last, followed_at

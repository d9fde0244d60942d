/* one row per new follower of one spike, most suspicious first */
with final as (
    select
        sf.account_id,
        sf.username,
        sf.followed_at,
        sf.score,
        sf.flagged,
        sf.age_at_follow_days,
        sf.created_at,
        sf.cohort_size,
        sf.has_profile_pic,
        sf.top_reason
    from spike_followers as sf
    where sf.spike_id = $spike_id
)

select * from final
order by score desc nulls last, followed_at
limit $limit

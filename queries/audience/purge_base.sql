/* one row per creator: username and recent daily engagement (likes, comments, shares) */
with final as (
    select
        q.creator_id,
        q.username,
        q.engagement_rate * q.followers as daily_engagement
    from creator_quality as q
)

select * from final
order by creator_id

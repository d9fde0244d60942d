/* one row per creator per score bin: followers in the bin, with the creator's recent engagement */
with final as (
    select
        h.creator_id,
        q.username,
        h.bin,
        h.followers,
        q.followers as followers_total,
        q.engagement_rate * q.followers as daily_engagement
    from creator_score_hist as h
    inner join creator_quality as q on q.creator_id = h.creator_id
)

select * from final
order by creator_id, bin

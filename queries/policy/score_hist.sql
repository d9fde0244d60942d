/* one row per creator per score bin (floor(score*1000)): followers in that bin, for impact */
with final as (
    select
        h.creator_id,
        h.bin,
        h.followers
    from creator_score_hist as h
)

select * from final

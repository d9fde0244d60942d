/* one row per creator per day with new follows: how many (the build's creator_daily counted them over the follows already) */
with final as (
    select d.creator_id, d.date as follow_day, d.new_follows as gained
    from creator_daily as d
    where d.new_follows > 0
)

select * from final

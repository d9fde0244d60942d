/* one row per data set: its last day (densified series end there for every creator) */
with final as (
    select max(d.date) as last_day
    from creator_daily as d
)

select * from final

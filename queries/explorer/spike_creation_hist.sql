/* one row per account-creation day of one spike's new followers: how many were created that day */
with final as (
    select
        cast(sf.created_at as date) as created_day,
        count(*) as followers
    from spike_followers as sf
    where sf.spike_id = $spike_id
    group by cast(sf.created_at as date)
)

select * from final
order by created_day

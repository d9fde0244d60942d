/* one row per day of one creator: gain, expected band, engagement, quality, spike on that day */
with days as (
    select *
    from creator_daily_expected as d
    where d.creator_id = $creator_id
),

creator_spikes as (
    select
        s.spike_id,
        s.start,
        s."end",
        s.verdict
    from spikes as s
    where s.creator_id = $creator_id
),

final as (
    select
        d.*,
        cs.spike_id,
        cs.verdict as spike_verdict
    from days as d
    left join creator_spikes as cs on d.date between cs.start and cs."end"
)

select * from final
order by date

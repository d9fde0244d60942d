/* one row per ground-truth benign event: whether a suspicious spike overlaps its days, and whether such a spike overlaps no real campaign (a false alarm) */
with event_days as (
    select
        row_number() over (order by e.creator_id, e.date, e.kind) as event_id,
        e.creator_id,
        e.kind,
        cast(e.date as date) as start,
        -- an event lifts follows for its own `days` (when the data says), at least $event_days
        cast(e.date as date)
            + cast(greatest(coalesce(e.days, $event_days), $event_days) as integer) - 1 as "end"
    from events as e
),

-- suspicious spikes that overlap a real campaign of their creator: right, whatever else they cover
campaign_spikes as (
    select distinct s.spike_id
    from spikes as s
    inner join campaigns as c
        on c.creator_id = s.creator_id
        and cast(c.start as date) <= s."end"
        and cast(c."end" as date) >= s.start
),

matches as (
    select
        ed.event_id,
        count(s.spike_id) filter (where s.verdict = 'suspicious') as suspicious_spikes,
        count(s.spike_id) filter (where s.verdict = 'suspicious' and cs.spike_id is null)
            as wrong_spikes,
        count(s.spike_id) as spikes
    from event_days as ed
    inner join spikes as s
        on s.creator_id = ed.creator_id
        and s.start <= ed."end"
        and s."end" >= ed.start
    left join campaign_spikes as cs on cs.spike_id = s.spike_id
    group by ed.event_id
),

final as (
    select
        ed.*,
        coalesce(m.suspicious_spikes, 0) > 0 as flagged_suspicious,
        coalesce(m.spikes, 0) > 0 as has_spike,
        coalesce(m.wrong_spikes, 0) > 0 as false_alarm
    from event_days as ed
    left join matches as m on m.event_id = ed.event_id
)

select * from final
order by event_id

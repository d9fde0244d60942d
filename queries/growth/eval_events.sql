/* one row per ground-truth benign event: whether a suspicious spike overlaps its days */
with event_days as (
    select
        row_number() over (order by e.creator_id, e.date, e.kind) as event_id,
        e.creator_id,
        e.kind,
        cast(e.date as date) as start,
        cast(e.date as date) + cast($event_days as integer) - 1 as "end"
    from events as e
),

matches as (
    select
        ed.event_id,
        count(s.spike_id) filter (where s.verdict = 'suspicious') as suspicious_spikes,
        count(s.spike_id) as spikes
    from event_days as ed
    inner join spikes as s
        on s.creator_id = ed.creator_id
        and s.start <= ed."end"
        and s."end" >= ed.start
    group by ed.event_id
),

final as (
    select
        ed.*,
        coalesce(m.suspicious_spikes, 0) > 0 as flagged_suspicious,
        coalesce(m.spikes, 0) > 0 as has_spike
    from event_days as ed
    left join matches as m on m.event_id = ed.event_id
)

select * from final
order by event_id

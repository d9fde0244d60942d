/* one row per spike: whether it overlaps a ground-truth campaign or a benign event */
with campaign_hits as (
    select
        s.spike_id,
        count(*) as campaigns
    from spikes as s
    inner join campaigns as c
        on c.creator_id = s.creator_id
        and cast(c.start as date) <= s."end"
        and cast(c."end" as date) >= s.start
    group by s.spike_id
),

event_hits as (
    select
        s.spike_id,
        count(*) as events
    from spikes as s
    inner join events as e
        on e.creator_id = s.creator_id
        and cast(e.date as date) <= s."end"
        and cast(e.date as date) + cast($event_days as integer) - 1 >= s.start
    group by s.spike_id
),

final as (
    select
        s.spike_id,
        s.creator_id,
        s.start,
        s."end",
        s.kind,
        s.verdict,
        s.excess,
        s.flagged_share,
        coalesce(ch.campaigns, 0) > 0 as is_campaign,
        coalesce(eh.events, 0) > 0 as is_event
    from spikes as s
    left join campaign_hits as ch on ch.spike_id = s.spike_id
    left join event_hits as eh on eh.spike_id = s.spike_id
)

select * from final
order by spike_id

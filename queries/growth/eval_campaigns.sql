/* one row per ground-truth campaign: whether a suspicious spike of its creator overlaps it */
with campaign_days as (
    select
        c.campaign_id,
        c.creator_id,
        c.kind,
        cast(c.start as date) as start,
        cast(c."end" as date) as "end",
        c.accounts
    from campaigns as c
),

matches as (
    select
        cd.campaign_id,
        count(s.spike_id) as spikes,
        max(s.excess) as best_excess
    from campaign_days as cd
    inner join spikes as s
        on s.creator_id = cd.creator_id
        and s.start <= cd."end"
        and s."end" >= cd.start
        and s.verdict = 'suspicious'
    group by cd.campaign_id
),

final as (
    select
        cd.*,
        coalesce(m.spikes, 0) > 0 as found,
        m.best_excess
    from campaign_days as cd
    left join matches as m on m.campaign_id = cd.campaign_id
)

select * from final
order by campaign_id

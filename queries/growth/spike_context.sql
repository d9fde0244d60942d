/* one row per spike: its brand-new and flagged followers against what the platform's same-day traffic explains */
-- A sign-up wave or a regional launch sends brand-new accounts to many creators on the same days;
-- a bought batch sends them to one. What a creator "should" get on a day is what the other
-- creators got from each region that day, times its own ratio to them on its other days: the
-- platform's same-day baseline. (With no other creators, nothing is explained.)
with traits as (
    select
        a.account_id,
        a.created_at,
        coalesce(a.region, '') as region,
        coalesce(s.flagged, false) as flagged
    from accounts as a
    left join account_scores as s on s.account_id = a.account_id
),

context_follows as (
    select
        f.creator_id,
        cast(f.followed_at as date) as day,
        t.region,
        case when f.followed_at < t.created_at + interval 7 day then 1 else 0 end as young,
        case when t.flagged then 1 else 0 end as flagged
    from follows as f
    inner join traits as t on t.account_id = f.follower_id
    where f.followed_at < t.created_at + interval 7 day or t.flagged
),

cells as (
    select creator_id, day, region, sum(young) as young, sum(flagged) as flagged
    from context_follows
    group by all
),

day_region as (
    select day, region, sum(young) as young, sum(flagged) as flagged
    from cells
    group by all
),

creator_region as (
    select creator_id, region, sum(young) as young, sum(flagged) as flagged
    from cells
    group by all
),

region_total as (
    select region, sum(young) as young, sum(flagged) as flagged
    from cells
    group by region
),

spike_days as (
    select
        s.spike_id,
        s.creator_id,
        cast(unnest(generate_series(
            cast(s.start as timestamp), cast(s."end" as timestamp), interval 1 day
        )) as date) as day
    from spikes as s
),

-- every region the creator ever drew brand-new or flagged followers from, on each spike day
expected as (
    select
        sd.spike_id,
        coalesce(c.young, 0) as young,
        coalesce(c.flagged, 0) as flagged,
        (d.young - coalesce(c.young, 0)) * cast(cr.young - coalesce(c.young, 0) as double)
            / greatest(r.young - d.young - cr.young + coalesce(c.young, 0), 1) as young_expected,
        (d.flagged - coalesce(c.flagged, 0)) * cast(cr.flagged - coalesce(c.flagged, 0) as double)
            / greatest(r.flagged - d.flagged - cr.flagged + coalesce(c.flagged, 0), 1)
            as flagged_expected
    from spike_days as sd
    inner join creator_region as cr on cr.creator_id = sd.creator_id
    inner join day_region as d on d.day = sd.day and d.region = cr.region
    inner join region_total as r on r.region = cr.region
    left join cells as c
        on c.creator_id = sd.creator_id and c.day = sd.day and c.region = cr.region
),

final as (
    select
        spike_id,
        cast(sum(young) as double) as platform_young,
        sum(young_expected) as platform_young_expected,
        cast(sum(flagged) as double) as platform_flagged,
        sum(flagged_expected) as platform_flagged_expected
    from expected
    group by spike_id
)

select * from final
order by spike_id

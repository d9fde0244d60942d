/* one row per spike: its brand-new and flagged followers against the platform's same-day traffic, and how many other creators its sign-ups followed */
-- A sign-up wave or a regional launch sends brand-new accounts to many creators on the same days;
-- a bought batch sends them to one. What a creator "should" get during a spike is what the other
-- creators got from each region on those days, times its own ratio to them outside its spikes:
-- the platform's same-day baseline. (With no other creators, nothing is explained.)
-- A wave is also broad: the accounts that followed the creator within an hour of signing up
-- followed many other creators in that hour too (the app's suggestion list), while a batch made
-- for one to four buyers follows only them.
with traits as (
    select
        a.account_id,
        -- a follow before these is a brand-new account's / a sign-up's: one interval sum per
        -- account, not per follow
        a.created_at + interval 7 day as young_until,
        a.created_at + interval 1 hour as signup_until,
        coalesce(a.region, '') as region,
        coalesce(s.model_flagged, false) as flagged
    from accounts as a
    left join account_scores as s on s.account_id = a.account_id
    -- only accounts that can have a brand-new or flagged follow: flagged, or made less than a week
    -- before the first day of follows (every follow is at or after it)
    where
        coalesce(s.model_flagged, false)
        or a.created_at + interval 7 day > (select min(f.followed_at) from follows as f)
),

-- One pass over the follows for both the young/flagged cells and the sign-up follows (a follow
-- within an hour of creation is young too, so it is among these rows).
context_follows as (
    select
        f.follower_id as account_id,
        f.creator_id,
        cast(f.followed_at as date) as day,
        t.region,
        case when f.followed_at < t.young_until then 1 else 0 end as young,
        case when t.flagged then 1 else 0 end as flagged,
        f.followed_at < t.signup_until as signup
    from follows as f
    inner join traits as t on t.account_id = f.follower_id
    where f.followed_at < t.young_until or t.flagged
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

-- over the spike's days, per region the creator ever drew brand-new or flagged followers from:
-- its own follows and everybody's
spike_region as (
    select
        sd.spike_id,
        sd.creator_id,
        cr.region,
        sum(coalesce(c.young, 0)) as own_young,
        sum(coalesce(c.flagged, 0)) as own_flagged,
        sum(d.young) as all_young,
        sum(d.flagged) as all_flagged
    from spike_days as sd
    inner join creator_region as cr on cr.creator_id = sd.creator_id
    inner join day_region as d on d.day = sd.day and d.region = cr.region
    left join cells as c
        on c.creator_id = sd.creator_id and c.day = sd.day and c.region = cr.region
    group by all
),

-- outside every spike of the creator (a repeat buyer's other batches must not set its baseline):
-- its own follows and everybody's, per region
creator_spike_days as (
    select distinct creator_id, day from spike_days
),

creator_outside as (
    select
        cr.creator_id,
        cr.region,
        cr.young - sum(coalesce(c.young, 0)) as own_young,
        cr.flagged - sum(coalesce(c.flagged, 0)) as own_flagged,
        r.young - sum(coalesce(d.young, 0)) as all_young,
        r.flagged - sum(coalesce(d.flagged, 0)) as all_flagged
    from creator_region as cr
    inner join region_total as r on r.region = cr.region
    inner join creator_spike_days as sd on sd.creator_id = cr.creator_id
    left join day_region as d on d.day = sd.day and d.region = cr.region
    left join cells as c
        on c.creator_id = cr.creator_id and c.day = sd.day and c.region = cr.region
    group by cr.creator_id, cr.region, cr.young, cr.flagged, r.young, r.flagged
),

-- what the other creators got during the spike, times the creator's ratio to them outside its
-- spikes
expected as (
    select
        s.spike_id,
        s.own_young as young,
        s.own_flagged as flagged,
        (s.all_young - s.own_young) * cast(o.own_young as double)
            / greatest(o.all_young - o.own_young, 1) as young_expected,
        (s.all_flagged - s.own_flagged) * cast(o.own_flagged as double)
            / greatest(o.all_flagged - o.own_flagged, 1) as flagged_expected
    from spike_region as s
    inner join creator_outside as o on o.creator_id = s.creator_id and o.region = s.region
),

platform as (
    select
        spike_id,
        cast(sum(young) as double) as platform_young,
        sum(young_expected) as platform_young_expected,
        cast(sum(flagged) as double) as platform_flagged,
        sum(flagged_expected) as platform_flagged_expected
    from expected
    group by spike_id
),

signup_follows as (
    select c.account_id, c.creator_id, c.day
    from context_follows as c
    where c.signup
),

spike_signups as (
    select distinct sd.spike_id, sd.creator_id, s.account_id
    from spike_days as sd
    inner join signup_follows as s on s.creator_id = sd.creator_id and s.day = sd.day
),

signup_counts as (
    select spike_id, count(*) as signups
    from spike_signups
    group by spike_id
),

-- the sign-ups a creator usually gets: its daily average over the days of the data
usual_signups as (
    select
        f.creator_id,
        count(*) / cast(greatest(date_diff('day', min(d.first_day), max(d.last_day)) + 1, 1) as double)
            as per_day
    from signup_follows as f
    cross join (select min(day) as first_day, max(day) as last_day from day_region) as d
    group by f.creator_id
),

co_targets as (
    select ss.spike_id, f.creator_id, count(*) as accounts
    from spike_signups as ss
    inner join signup_follows as f on f.account_id = ss.account_id
    where f.creator_id <> ss.creator_id
    group by all
),

breadth as (
    select c.spike_id, count(*) as wave_breadth
    from co_targets as c
    inner join signup_counts as n on n.spike_id = c.spike_id
    where c.accounts >= greatest(3, cast(0.05 as double) * n.signups)
    group by c.spike_id
),

spike_length as (
    select spike_id, creator_id, count(*) as days
    from spike_days
    group by spike_id, creator_id
),

final as (
    select
        p.*,
        cast(coalesce(n.signups, 0) as double) as signup_followers,
        coalesce(u.per_day, 0) * l.days as signup_expected,
        cast(coalesce(b.wave_breadth, 0) as double) as wave_breadth
    from platform as p
    inner join spike_length as l on l.spike_id = p.spike_id
    left join signup_counts as n on n.spike_id = p.spike_id
    left join usual_signups as u on u.creator_id = l.creator_id
    left join breadth as b on b.spike_id = p.spike_id
)

select * from final
order by spike_id

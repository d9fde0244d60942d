/* one row per following account: behaviour (rate, bursts, gaps, timing vs creation), coordination (creation cohorts, lockstep and shared follow sequences) and the platform context of its follows */
-- Reads `_follow_rows` (features/follow_rows: the 40M-row sort behind lag(), done once). One query
-- on purpose: the final per-account aggregation is the other expensive part at 1M accounts, so
-- every feature shares it.
-- CopyCatch-style: a "move" is following creator B right after creator A within the same
-- 30-minute window; many accounts making the same move in the same window act in lockstep.
-- `not materialized`: every use scans the stored table for just its columns; DuckDB would
-- otherwise copy all 44M rows (at 1M accounts) into a spilling buffer first (Spark drops the
-- hint and computes it once, store.transpile).
with sequenced as not materialized (
    select
        *,
        cast(followed_at as date) as follow_day,
        date_trunc('hour', created_at) as created_hour,
        epoch(followed_at) - epoch(previous_at) as gap_seconds,
        -- rows are in time order per account, so a new day starts where the date changes
        case when cast(previous_at as date) = cast(followed_at as date) then 0 else 1 end
            as starts_day,
        case
            when previous_creator <> creator_id and epoch(followed_at) - epoch(previous_at) <= 1800
                then floor(epoch(previous_at) / 1800)
        end as move_window
    from _follow_rows
),

hourly as (
    select account_id, date_trunc('hour', followed_at) as follow_hour, count(*) as follows_in_hour
    from sequenced
    where in_burst
    group by all
),

busiest_hour as (
    select account_id, max(follows_in_hour) as max_follows_in_hour
    from hourly
    group by account_id
),

-- Only follows made within a week of creation count: bought batches follow at once, while
-- organic accounts of the same creation hour reach a big creator months apart.
early_follows as (
    select account_id, creator_id, created_hour
    from sequenced
    where followed_at < created_at + interval 7 day
),

cohorts as (
    select creator_id, created_hour, count(*) as cohort_follows
    from early_follows
    group by all
),

-- per account over its own follows within a week of creation (a few % of all follows), not
-- joined to every follow
cohort_max as (
    select e.account_id, max(c.cohort_follows) as cohort_follows
    from early_follows as e
    inner join cohorts as c on c.creator_id = e.creator_id and c.created_hour = e.created_hour
    group by e.account_id
),

moves as (
    select account_id, previous_creator, creator_id, move_window
    from sequenced
    where move_window is not null
),

move_counts as (
    select previous_creator, creator_id, move_window, count(*) as accounts_making_move
    from moves
    group by all
),

move_max as (
    select v.account_id, max(m.accounts_making_move) as accounts_making_move
    from moves as v
    inner join move_counts as m
        on m.previous_creator = v.previous_creator
        and m.creator_id = v.creator_id
        and m.move_window = v.move_window
    group by v.account_id
),

-- Spike days from follower counts alone (no labels): robust z-score of a creator's daily gain.
-- `_daily_gains` (features/daily_gains): follows per creator and day, read from creator_daily
-- instead of grouping the 44M follows a second time at 1M accounts.
daily_gains as (
    select creator_id, follow_day, gained
    from _daily_gains
),

creator_median as (
    select creator_id, median(gained) as median_gain
    from daily_gains
    group by creator_id
),

-- median absolute deviation spelled out: Spark has no mad()
creator_level as (
    select m.creator_id, m.median_gain, median(abs(d.gained - m.median_gain)) as mad_gain
    from daily_gains as d
    inner join creator_median as m on m.creator_id = d.creator_id
    group by m.creator_id, m.median_gain
),

spike_days as (
    select d.creator_id, d.follow_day
    from daily_gains as d
    inner join creator_level as l on l.creator_id = d.creator_id
    where (d.gained - l.median_gain) / (cast(1.4826 as double) * l.mad_gain + 1) > $spike_z
),

-- Creation-day cohorts on a creator's busy days: its followers that day who were created on one
-- day, against the share of the other creators' follows that day made by accounts created on
-- that day. A platform-wide sign-up wave raises both; a batch of aged accounts bought for one
-- creator raises only the first. Busy days (half again the usual gain) keep the grouping cheap.
busy_days as (
    select d.creator_id, d.follow_day, d.gained
    from daily_gains as d
    inner join creator_level as l on l.creator_id = d.creator_id
    where d.gained >= cast(1.5 as double) * l.median_gain + 5
),

busy_follows as (
    select s.account_id, s.creator_id, s.follow_day, cast(s.created_at as date) as created_day
    from sequenced as s
    inner join busy_days as b on b.creator_id = s.creator_id and b.follow_day = s.follow_day
),

platform_cohort as (
    select follow_day, cast(created_at as date) as created_day, count(*) as follows
    from sequenced
    group by all
),

platform_day as (
    select follow_day, sum(follows) as follows
    from platform_cohort
    group by follow_day
),

cohort_cells as (
    select creator_id, follow_day, created_day, count(*) as cohort_follows
    from busy_follows
    group by all
    having count(*) >= 3
),

cohort_ratio as (
    select
        c.creator_id,
        c.follow_day,
        c.created_day,
        (c.cohort_follows + 1)
            / (b.gained * cast(p.follows - c.cohort_follows as double)
                / greatest(t.follows - b.gained, 1) + 1) as cohort_ratio
    from cohort_cells as c
    inner join busy_days as b on b.creator_id = c.creator_id and b.follow_day = c.follow_day
    inner join platform_cohort as p
        on p.follow_day = c.follow_day and p.created_day = c.created_day
    inner join platform_day as t on t.follow_day = c.follow_day
),

cohort_accounts as (
    select f.account_id, max(c.cohort_ratio) as creation_day_cohort
    from busy_follows as f
    inner join cohort_ratio as c
        on c.creator_id = f.creator_id
        and c.follow_day = f.follow_day
        and c.created_day = f.created_day
    group by f.account_id
),

-- Shared follow sequences: the same two creators followed one after the other (within two days)
-- by many accounts, against what the two creators' own popularity predicts. Seller pools deliver
-- their buyers back to back, job after job; people follow creators when they come across them.
-- read twice (counted, then each account's best pair): 33M rows at 1M accounts, not buffered
pair_rows as not materialized (
    select
        account_id,
        least(previous_creator, creator_id) as pair_low,
        greatest(previous_creator, creator_id) as pair_high
    from sequenced
    where previous_creator <> creator_id and followed_at < previous_at + interval 2 day
),

pair_counts as (
    select pair_low, pair_high, count(*) as accounts
    from pair_rows
    group by all
),

pair_ends as (
    select creator_id, sum(accounts) as accounts
    from (
        select pair_low as creator_id, accounts from pair_counts
        union all
        select pair_high as creator_id, accounts from pair_counts
    ) as ends
    group by creator_id
),

pair_total as (
    select sum(accounts) as accounts from pair_counts
),

pair_ratio as (
    select
        p.pair_low,
        p.pair_high,
        (p.accounts + 1)
            / (cast(lo.accounts as double) * hi.accounts / (2 * t.accounts) + 1) as pair_ratio
    from pair_counts as p
    inner join pair_ends as lo on lo.creator_id = p.pair_low
    inner join pair_ends as hi on hi.creator_id = p.pair_high
    cross join pair_total as t
    where p.accounts >= 3
),

pair_max as (
    select r.account_id, max(p.pair_ratio) as pair_ratio
    from pair_rows as r
    inner join pair_ratio as p on p.pair_low = r.pair_low and p.pair_high = r.pair_high
    group by r.account_id
),

-- Newcomers (accounts under two days old) in their platform context: a creator's newcomers that
-- day against what the other creators got from the same region that day, times its own ratio to
-- them on the other days. Sign-up waves and regional launches raise both; a batch of fresh
-- accounts bought for one creator raises only the first.
newcomer_follows as (
    select s.account_id, s.creator_id, s.follow_day, coalesce(a.region, '') as region
    from sequenced as s
    inner join accounts as a on a.account_id = s.account_id
    where s.followed_at < s.created_at + interval 2 day
),

newcomer_cells as (
    select creator_id, follow_day, region, count(*) as follows
    from newcomer_follows
    group by all
),

newcomer_day as (
    select follow_day, region, sum(follows) as follows
    from newcomer_cells
    group by all
),

newcomer_creator as (
    select creator_id, region, sum(follows) as follows
    from newcomer_cells
    group by all
),

newcomer_region as (
    select region, sum(follows) as follows
    from newcomer_cells
    group by region
),

newcomer_ratio as (
    select
        c.creator_id,
        c.follow_day,
        c.region,
        (c.follows + 1)
            / ((d.follows - c.follows) * cast(cr.follows - c.follows as double)
                / greatest(r.follows - d.follows - cr.follows + c.follows, 1) + 1)
            as newcomer_ratio
    from newcomer_cells as c
    inner join newcomer_day as d on d.follow_day = c.follow_day and d.region = c.region
    inner join newcomer_creator as cr on cr.creator_id = c.creator_id and cr.region = c.region
    inner join newcomer_region as r on r.region = c.region
),

newcomer_accounts as (
    select f.account_id, max(r.newcomer_ratio) as newcomer_wave
    from newcomer_follows as f
    inner join newcomer_ratio as r
        on r.creator_id = f.creator_id and r.follow_day = f.follow_day and r.region = f.region
    group by f.account_id
),

-- Popularity of each creator among all creators (0 = fewest new followers, 1 = most): its
-- percent rank, kept as the whole rank so that the per-account average sums integers (a sum of
-- doubles depends on the parallel summation order; the model must see the same bits every run)
creator_rank as (
    select
        creator_id,
        row_number() over (order by sum(gained), creator_id) - 1 as popularity_rank,
        count(*) over () - 1 as rank_span
    from daily_gains
    group by creator_id
),

per_follow as (
    select
        s.account_id,
        s.followed_at,
        s.created_at,
        s.gap_seconds,
        s.starts_day,
        case when d.creator_id is null then cast(0 as double) else cast(1 as double) end
            as on_spike_day,
        r.popularity_rank,
        r.rank_span
    from sequenced as s
    left join spike_days as d
        on d.creator_id = s.creator_id and d.follow_day = s.follow_day
    left join creator_rank as r on r.creator_id = s.creator_id
),

per_account as (
    select
        account_id,
        count(*) as follows_made,
        sum(starts_day) as active_days,
        median(gap_seconds) / 60 as median_follow_gap_min,
        avg(case when followed_at < created_at + interval 3 day then 1 else 0 end)
            as early_follow_share,
        (epoch(min(followed_at)) - epoch(min(created_at))) / 3600 as first_follow_age_hours,
        avg(on_spike_day) as spike_follow_share,
        avg(popularity_rank) / greatest(max(rank_span), 1) as target_popularity,
        min(followed_at) as first_follow_at,
        max(followed_at) as last_follow_at
    from per_follow
    group by account_id
),

final as (
    select
        p.account_id,
        cast(p.follows_made as double) as follows_made,
        cast(p.follows_made as double) / p.active_days as follows_per_active_day,
        cast(coalesce(b.max_follows_in_hour, 1) as double) as max_follows_in_hour,
        cast(p.median_follow_gap_min as double) as median_follow_gap_min,
        cast(p.early_follow_share as double) as early_follow_share,
        cast(p.first_follow_age_hours as double) as first_follow_age_hours,
        cast(coalesce(cm.cohort_follows - 1, 0) as double) as creation_cohort_size,
        cast(coalesce(mm.accounts_making_move - 1, 0) as double) as lockstep_score,
        p.spike_follow_share,
        cast(coalesce(c.creation_day_cohort, 1) as double) as creation_day_cohort,
        cast(coalesce(pm.pair_ratio, 1) as double) as shared_sequence,
        cast(n.newcomer_wave as double) as newcomer_wave,
        cast(p.target_popularity as double) as target_popularity,
        (epoch(p.last_follow_at) - epoch(p.first_follow_at)) / 86400 as follow_span_days,
        (epoch(a.last_active_at) - epoch(p.last_follow_at)) / 86400 as active_after_follows_days
    from per_account as p
    left join busiest_hour as b on b.account_id = p.account_id
    left join newcomer_accounts as n on n.account_id = p.account_id
    left join cohort_accounts as c on c.account_id = p.account_id
    left join cohort_max as cm on cm.account_id = p.account_id
    left join move_max as mm on mm.account_id = p.account_id
    left join pair_max as pm on pm.account_id = p.account_id
    left join accounts as a on a.account_id = p.account_id
)

select * from final

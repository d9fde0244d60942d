/* one row per following account: behaviour (rate, bursts, gaps, timing vs creation) and coordination (creation cohort, lockstep pairs, follows on count-only spikes) */
-- One query on purpose: the 40M-row sort behind lag() and the final per-account aggregation are
-- the expensive parts at 1M accounts, so every feature shares them.
with ordered as (
    -- the window sorts 40M rows at 1M accounts: keep its rows narrow, join profiles after
    select
        f.follower_id as account_id,
        f.creator_id,
        f.followed_at,
        lag(f.creator_id) over by_follower as previous_creator,
        lag(f.followed_at) over by_follower as previous_at,
        lead(f.followed_at) over by_follower as next_at
    from follows as f
    window by_follower as (partition by f.follower_id order by f.followed_at, f.creator_id)
),

follow_rows as (
    select
        o.*,
        cast(o.followed_at as date) as follow_day,
        a.created_at,
        date_trunc('hour', a.created_at) as created_hour
    from ordered as o
    left join accounts as a on a.account_id = o.account_id
),

-- CopyCatch-style: a "move" is following creator B right after creator A within the same
-- 30-minute window; many accounts making the same move in the same window act in lockstep.
sequenced as (
    select
        *,
        epoch(followed_at) - epoch(previous_at) as gap_seconds,
        -- rows are in time order per account, so a new day starts where the date changes
        case when cast(previous_at as date) = follow_day then 0 else 1 end as starts_day,
        -- a follow with no other follow within an hour either side is alone in its clock hour
        coalesce(epoch(followed_at) - epoch(previous_at) < 3600, false)
            or coalesce(epoch(next_at) - epoch(followed_at) < 3600, false) as in_burst,
        case
            when previous_creator <> creator_id and epoch(followed_at) - epoch(previous_at) <= 1800
                then floor(epoch(previous_at) / 1800)
        end as move_window
    from follow_rows
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
cohorts as (
    select creator_id, created_hour, count(*) as cohort_follows
    from sequenced
    where followed_at < created_at + interval 7 day
    group by all
),

move_counts as (
    select previous_creator, creator_id, move_window, count(*) as accounts_making_move
    from sequenced
    where move_window is not null
    group by all
),

-- Spike days from follower counts alone (no labels): robust z-score of a creator's daily gain.
daily_gains as (
    select creator_id, follow_day, count(*) as gained
    from sequenced
    group by all
),

creator_level as (
    select creator_id, median(gained) as median_gain, mad(gained) as mad_gain
    from daily_gains
    group by creator_id
),

spike_days as (
    select d.creator_id, d.follow_day
    from daily_gains as d
    inner join creator_level as l on l.creator_id = d.creator_id
    where (d.gained - l.median_gain) / (1.4826 * l.mad_gain + 1) > $spike_z
),

per_follow as (
    select
        s.account_id,
        s.followed_at,
        s.follow_day,
        s.created_at,
        s.gap_seconds,
        s.starts_day,
        c.cohort_follows,
        m.accounts_making_move,
        case when d.creator_id is null then 0.0 else 1.0 end as on_spike_day
    from sequenced as s
    left join cohorts as c
        on c.creator_id = s.creator_id
        and c.created_hour = s.created_hour
        and s.followed_at < s.created_at + interval 7 day
    left join move_counts as m
        on m.previous_creator = s.previous_creator
        and m.creator_id = s.creator_id
        and m.move_window = s.move_window
    left join spike_days as d
        on d.creator_id = s.creator_id and d.follow_day = s.follow_day
),

per_account as (
    select
        account_id,
        count(*) as follows_made,
        sum(starts_day) as active_days,
        median(gap_seconds) / 60.0 as median_follow_gap_min,
        avg(case when followed_at < created_at + interval 3 day then 1.0 else 0.0 end)
            as early_follow_share,
        (epoch(min(followed_at)) - epoch(min(created_at))) / 3600.0 as first_follow_age_hours,
        coalesce(max(cohort_follows) - 1, 0) as creation_cohort_size,
        coalesce(max(accounts_making_move) - 1, 0) as lockstep_score,
        avg(on_spike_day) as spike_follow_share
    from per_follow
    group by account_id
),

final as (
    select
        p.account_id,
        cast(p.follows_made as double) as follows_made,
        cast(p.follows_made as double) / p.active_days as follows_per_active_day,
        cast(coalesce(b.max_follows_in_hour, 1) as double) as max_follows_in_hour,
        p.median_follow_gap_min,
        p.early_follow_share,
        p.first_follow_age_hours,
        cast(p.creation_cohort_size as double) as creation_cohort_size,
        cast(p.lockstep_score as double) as lockstep_score,
        p.spike_follow_share
    from per_account as p
    left join busiest_hour as b on b.account_id = p.account_id
)

select * from final

/* one row per following account: coordination features (creation cohort, lockstep pairs, follows landing on count-only spikes) */
with follow_rows as (
    select
        f.follower_id as account_id,
        f.creator_id,
        f.followed_at,
        date_trunc('hour', a.created_at) as created_hour,
        lag(f.creator_id) over (partition by f.follower_id order by f.followed_at) as previous_creator,
        lag(f.followed_at) over (partition by f.follower_id order by f.followed_at) as previous_at
    from follows as f
    left join accounts as a on a.account_id = f.follower_id
),

cohorts as (
    select creator_id, created_hour, count(distinct account_id) as cohort_followers
    from follow_rows
    where created_hour is not null
    group by all
),

cohort_size as (
    select r.account_id, max(c.cohort_followers) - 1 as creation_cohort_size
    from follow_rows as r
    inner join cohorts as c
        on c.creator_id = r.creator_id and c.created_hour = r.created_hour
    group by r.account_id
),

-- CopyCatch-style: a "move" is following creator B right after creator A within the same
-- 30-minute window; many accounts making the same move in the same window act in lockstep.
moves as (
    select
        account_id,
        previous_creator,
        creator_id,
        floor(epoch(previous_at) / 1800) as window_id
    from follow_rows
    where previous_creator is not null
        and previous_creator <> creator_id
        and epoch(followed_at) - epoch(previous_at) <= 1800
),

move_counts as (
    select previous_creator, creator_id, window_id, count(*) as accounts_making_move
    from moves
    group by all
),

lockstep as (
    select m.account_id, max(c.accounts_making_move) - 1 as lockstep_score
    from moves as m
    inner join move_counts as c
        on c.previous_creator = m.previous_creator
        and c.creator_id = m.creator_id
        and c.window_id = m.window_id
    group by m.account_id
),

-- Spike days from follower counts alone (no labels): robust z-score of a creator's daily gain.
daily_gains as (
    select creator_id, cast(followed_at as date) as day, count(*) as gained
    from follow_rows
    group by all
),

creator_level as (
    select creator_id, median(gained) as median_gain, mad(gained) as mad_gain
    from daily_gains
    group by creator_id
),

spike_days as (
    select d.creator_id, d.day
    from daily_gains as d
    inner join creator_level as l on l.creator_id = d.creator_id
    where (d.gained - l.median_gain) / (1.4826 * l.mad_gain + 1) > $spike_z
),

spike_share as (
    select
        r.account_id,
        avg(case when s.creator_id is null then 0.0 else 1.0 end) as spike_follow_share
    from follow_rows as r
    left join spike_days as s
        on s.creator_id = r.creator_id and s.day = cast(r.followed_at as date)
    group by r.account_id
),

final as (
    select
        s.account_id,
        cast(c.creation_cohort_size as double) as creation_cohort_size,
        cast(coalesce(l.lockstep_score, 0) as double) as lockstep_score,
        s.spike_follow_share
    from spike_share as s
    left join cohort_size as c on c.account_id = s.account_id
    left join lockstep as l on l.account_id = s.account_id
)

select * from final

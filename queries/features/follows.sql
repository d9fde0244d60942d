/* one row per following account: behaviour features from its follows (rate, bursts, gaps, timing vs creation) */
with follow_times as (
    select
        f.follower_id as account_id,
        f.followed_at,
        a.created_at,
        epoch(f.followed_at)
            - epoch(lag(f.followed_at) over (partition by f.follower_id order by f.followed_at))
            as gap_seconds
    from follows as f
    left join accounts as a on a.account_id = f.follower_id
),

hourly as (
    select account_id, date_trunc('hour', followed_at) as hour, count(*) as follows_in_hour
    from follow_times
    group by all
),

busiest_hour as (
    select account_id, max(follows_in_hour) as max_follows_in_hour
    from hourly
    group by account_id
),

per_account as (
    select
        account_id,
        count(*) as follows_made,
        count(distinct cast(followed_at as date)) as active_days,
        median(gap_seconds) / 60.0 as median_follow_gap_min,
        avg(case when followed_at < created_at + interval 3 day then 1.0 else 0.0 end)
            as early_follow_share,
        (epoch(min(followed_at)) - epoch(min(created_at))) / 3600.0 as first_follow_age_hours
    from follow_times
    group by account_id
),

final as (
    select
        p.account_id,
        cast(p.follows_made as double) as follows_made,
        cast(p.follows_made as double) / p.active_days as follows_per_active_day,
        cast(b.max_follows_in_hour as double) as max_follows_in_hour,
        p.median_follow_gap_min,
        p.early_follow_share,
        p.first_follow_age_hours
    from per_account as p
    inner join busiest_hour as b on b.account_id = p.account_id
)

select * from final

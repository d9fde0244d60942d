/* one row per new follower of a spike: score, age at follow, creation time, picture */
with spike_days as (
    -- one row per spike per day, so follows join on equal keys instead of a date range
    select
        s.spike_id,
        s.creator_id,
        cast(unnest(generate_series(
            cast(s.start as timestamp), cast(s."end" as timestamp), interval 1 day
        )) as date) as day
    from spikes as s
),

spike_follows as (
    select
        sd.spike_id,
        f.follower_id as account_id,
        f.followed_at
    from follows as f
    inner join spike_days as sd
        on sd.creator_id = f.creator_id and sd.day = cast(f.followed_at as date)
),

final as (
    select
        sf.spike_id,
        sf.account_id,
        a.username,
        sf.followed_at,
        sc.score,
        coalesce(sc.model_flagged, false) as model_flagged,
        date_diff('second', a.created_at, sf.followed_at) / 86400.0 as age_at_follow_days,
        a.created_at,
        a.has_profile_pic
    from spike_follows as sf
    inner join accounts as a on a.account_id = sf.account_id
    left join account_scores as sc on sc.account_id = sf.account_id
)

select * from final
-- stored in spike order: a spike's rows share row groups, so one spike reads in milliseconds
order by spike_id

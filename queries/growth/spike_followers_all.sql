/* one row per new follower of a spike: score, age at follow, creation cohort, picture, top reason */
with spike_follows as (
    select
        s.spike_id,
        f.follower_id as account_id,
        f.followed_at,
        a.username,
        a.created_at,
        a.has_profile_pic,
        date_trunc('hour', a.created_at) as created_hour
    from spikes as s
    inner join follows as f
        on f.creator_id = s.creator_id
        and cast(f.followed_at as date) between s.start and s."end"
    inner join accounts as a on a.account_id = f.follower_id
),

final as (
    select
        sf.spike_id,
        sf.account_id,
        sf.username,
        sf.followed_at,
        sc.score,
        coalesce(sc.flagged, false) as flagged,
        datediff('second', sf.created_at, sf.followed_at) / 86400.0 as age_at_follow_days,
        sf.created_at,
        count(*) over (partition by sf.spike_id, sf.created_hour) as cohort_size,
        sf.has_profile_pic,
        split_part(coalesce(sc.top_reasons, ''), '; ', 1) as top_reason
    from spike_follows as sf
    left join account_scores as sc on sc.account_id = sf.account_id
)

select * from final
order by spike_id, score desc

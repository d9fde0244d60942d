/* one row per creator per day: follows, engagement and the quality of that day's new followers */
with scored_follows as (
    select
        f.creator_id,
        cast(f.followed_at as date) as date,
        coalesce(s.flagged, false) as flagged,
        s.score,
        datediff('second', a.created_at, f.followed_at) < 7 * 86400 as young,
        not coalesce(a.has_profile_pic, true) as nopic
    from follows as f
    left join accounts as a on a.account_id = f.follower_id
    left join account_scores as s on s.account_id = f.follower_id
),

quality as (
    select
        sf.creator_id,
        sf.date,
        count(*) filter (where sf.flagged) as flagged_follows,
        count(*) filter (where sf.young) as young_follows,
        count(*) filter (where sf.nopic) as nopic_follows,
        avg(sf.score) as mean_score
    from scored_follows as sf
    group by all
),

final as (
    select
        d.creator_id,
        d.date,
        d.new_follows,
        d.unfollows,
        d.net_gain,
        d.followers_total,
        d.views,
        d.likes,
        d.engagement_rate,
        coalesce(q.flagged_follows, 0) as flagged_follows,
        coalesce(q.young_follows, 0) as young_follows,
        coalesce(q.nopic_follows, 0) as nopic_follows,
        q.mean_score
    from creator_daily as d
    left join quality as q on q.creator_id = d.creator_id and q.date = d.date
)

select * from final
order by creator_id, date

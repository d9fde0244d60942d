/* one row per creator per day: follows, engagement (talk = comments + shares) and the quality of that day's new followers */
with follower_traits as (
    -- one join per follow instead of two: accounts and their scores joined once
    select
        a.account_id,
        -- a follow before this is a brand-new account's: one interval sum per account (1M at 1M),
        -- not per follow (44M)
        a.created_at + interval 7 day as young_until,
        not coalesce(a.has_profile_pic, true) as nopic,
        coalesce(s.model_flagged, false) as flagged,
        s.score
    from accounts as a
    left join account_scores as s on s.account_id = a.account_id
),

quality as (
    select
        f.creator_id,
        cast(f.followed_at as date) as date,
        count(*) filter (where ft.flagged) as flagged_follows,
        count(*) filter (where f.followed_at < ft.young_until) as young_follows,
        count(*) filter (where ft.nopic) as nopic_follows,
        avg(ft.score) as mean_score
    from follows as f
    left join follower_traits as ft on ft.account_id = f.follower_id
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
        case
            when d.comments is not null or d.shares is not null
                then coalesce(d.comments, 0) + coalesce(d.shares, 0)
        end as talk,
        d.engagement_rate,
        coalesce(q.flagged_follows, 0) as flagged_follows,
        coalesce(q.young_follows, 0) as young_follows,
        coalesce(q.nopic_follows, 0) as nopic_follows,
        q.mean_score
    from creator_daily as d
    left join quality as q on q.creator_id = d.creator_id and q.date = d.date
)

select * from final

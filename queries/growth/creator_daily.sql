/* one row per creator per day: new follows, unfollows, net gain, running followers, engagement */
with follows_in as (
    select
        f.creator_id,
        cast(f.followed_at as date) as date,
        count(*) as new_follows
    from follows as f
    group by all
),

follows_out as (
    select
        f.creator_id,
        cast(f.unfollowed_at as date) as date,
        count(*) as unfollows
    from follows as f
    where f.unfollowed_at is not null
    group by all
),

gains as (
    select
        coalesce(i.creator_id, o.creator_id) as creator_id,
        coalesce(i.date, o.date) as date,
        coalesce(i.new_follows, 0) as new_follows,
        coalesce(o.unfollows, 0) as unfollows
    from follows_in as i
    full outer join follows_out as o
        on i.creator_id = o.creator_id and i.date = o.date
),

engagement as (
    select
        e.creator_id,
        cast(e.date as date) as date,
        sum(coalesce(e.views, 0)) as views,
        sum(coalesce(e.likes, 0)) as likes,
        sum(coalesce(e.comments, 0)) as comments,
        sum(coalesce(e.shares, 0)) as shares
    from engagement_daily as e
    group by all
),

joined as (
    select
        coalesce(g.creator_id, e.creator_id) as creator_id,
        coalesce(g.date, e.date) as date,
        cast(coalesce(g.new_follows, 0) as bigint) as new_follows,
        cast(coalesce(g.unfollows, 0) as bigint) as unfollows,
        cast(coalesce(g.new_follows, 0) - coalesce(g.unfollows, 0) as bigint) as net_gain,
        cast(coalesce(e.views, 0) as bigint) as views,
        cast(coalesce(e.likes, 0) as bigint) as likes,
        cast(coalesce(e.comments, 0) as bigint) as comments,
        cast(coalesce(e.shares, 0) as bigint) as shares
    from gains as g
    full outer join engagement as e
        on g.creator_id = e.creator_id and g.date = e.date
),

running as (
    select
        j.*,
        cast(sum(j.net_gain) over (
            partition by j.creator_id order by j.date
            rows between unbounded preceding and current row
        ) as bigint) as followers_total
    from joined as j
),

final as (
    select
        r.creator_id,
        r.date,
        r.new_follows,
        r.unfollows,
        r.net_gain,
        r.followers_total,
        r.views,
        r.likes,
        r.comments,
        r.shares,
        (r.likes + r.comments + r.shares) / greatest(r.followers_total, 1)::double
            as engagement_rate
    from running as r
)

select * from final
order by creator_id, date

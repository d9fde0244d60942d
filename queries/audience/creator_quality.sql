/* one row per creator: audience quality score 0-100 and its components */
with current_followers as (
    select
        f.creator_id,
        count(*) as followers,
        count(*) filter (where coalesce(s.model_flagged, false)) as flagged
    from follows as f
    left join account_scores as s on s.account_id = f.follower_id
    where f.unfollowed_at is null
    group by f.creator_id
),

-- creator_daily counts days without engagement rows as 0 views: without an engagement table
-- the engagement components are unknown (NULL), not zero, and quality leaves them out
engagement_probe as (
    select count(*) > 0 as has_engagement
    from (select 1 from engagement_daily limit 1) as e
),

recent as (
    -- engagement over the last $engagement_days days of the data
    select
        d.creator_id,
        sum(d.new_follows) as gained,
        avg(d.likes + d.comments + d.shares) filter (
            where d.date > (select max(x.date) from creator_daily as x) - $engagement_days
        ) as daily_engagement,
        corr(d.new_follows, d.views) as follow_view_corr
    from creator_daily as d
    group by d.creator_id
),

suspicious as (
    select
        s.creator_id,
        sum(greatest(s.excess, 0)) as suspicious_excess
    from spikes as s
    where s.verdict = 'suspicious'
    group by s.creator_id
),

base as (
    select
        c.creator_id,
        a.username,
        c.followers,
        c.flagged / greatest(c.followers, 1) as flagged_share,
        least(coalesce(sp.suspicious_excess, 0) / greatest(r.gained, 1), 1.0)
            as suspicious_growth_share,
        case
            when ep.has_engagement then coalesce(r.daily_engagement, 0) / greatest(c.followers, 1)
        end as engagement_rate,
        case
            -- constant views or follows give no correlation (NaN): no consistency shown
            when ep.has_engagement and not isnan(coalesce(r.follow_view_corr, 0))
                then greatest(coalesce(r.follow_view_corr, 0), 0)
            when ep.has_engagement then 0
        end as consistency,
        case
            when c.followers < $tier_micro then 'nano'
            when c.followers < $tier_mid then 'micro'
            when c.followers < $tier_macro then 'mid'
            when c.followers < $tier_mega then 'macro'
            else 'mega'
        end as size_tier
    from current_followers as c
    left join accounts as a on a.account_id = c.creator_id
    left join recent as r on r.creator_id = c.creator_id
    left join suspicious as sp on sp.creator_id = c.creator_id
    cross join engagement_probe as ep
),

tiered as (
    select
        b.*,
        b.engagement_rate / nullif(median(b.engagement_rate) over (partition by b.size_tier), 0)
            as engagement_vs_tier,
        case
            when b.engagement_rate is not null
                then least(coalesce(
                    b.engagement_rate
                    / nullif(median(b.engagement_rate) over (partition by b.size_tier), 0), 1
                ), 1)
        end as engagement_part
    from base as b
),

final as (
    select
        t.creator_id,
        t.username,
        t.followers,
        -- to one decimal with floor(x * 10 + 0.5) / 10: exact IEEE steps, the same on every
        -- engine (round() of a double is not: DuckDB and Spark round ties differently)
        floor(10 * 100 * (
            $w_flagged * (1 - least(t.flagged_share / $flagged_cap, 1))
            + $w_growth * (1 - least(t.suspicious_growth_share / $growth_cap, 1))
            + coalesce($w_engagement * t.engagement_part, 0)
            + coalesce($w_consistency * t.consistency, 0)
        ) / (
            $w_flagged + $w_growth
            + case when t.engagement_part is null then 0 else $w_engagement end
            + case when t.consistency is null then 0 else $w_consistency end
        ) + 0.5) / 10 as quality_score,
        t.flagged_share,
        t.suspicious_growth_share,
        t.engagement_vs_tier,
        t.consistency,
        t.size_tier,
        t.engagement_rate
    from tiered as t
)

select * from final
order by creator_id

/* one row per creator per day (densified): gain, engagement, expected band, follower quality, anomaly flags */
with final as (
    select
        g.creator_id,
        g.date,
        g.new_follows,
        g.unfollows,
        g.net_gain,
        g.followers_total,
        g.views,
        g.likes,
        g.engagement_rate,
        g.expected,
        g.expected_low,
        g.expected_high,
        g.flagged_follows,
        g.young_follows,
        g.nopic_follows,
        g.mean_score,
        g.flagged_share,
        g.quality_expected,
        g.count_anomaly,
        g.quality_anomaly
    from _growth_days as g
)

select * from final
order by creator_id, date

/* one row per creator whose username contains $text: suspicious growth and audience quality */
with spike_totals as (
    select
        s.creator_id,
        count(*) filter (where s.verdict = 'suspicious') as suspicious_spikes,
        coalesce(sum(s.excess) filter (where s.verdict = 'suspicious'), 0) as suspicious_excess,
        max(s.score) filter (where s.verdict = 'suspicious') as top_spike_score
    from spikes as s
    group by s.creator_id
),

final as (
    select
        q.creator_id,
        q.username,
        q.followers,
        q.quality_score,
        q.size_tier,
        q.flagged_share,
        coalesce(st.suspicious_spikes, 0) as suspicious_spikes,
        coalesce(st.suspicious_excess, 0) as suspicious_excess,
        st.top_spike_score
    from creator_quality as q
    left join spike_totals as st on st.creator_id = q.creator_id
    where contains(lower(coalesce(q.username, '')), lower($text))
)

select * from final
order by suspicious_excess desc, quality_score asc, creator_id
limit $limit

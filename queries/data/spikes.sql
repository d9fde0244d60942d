/* one row per follower-growth spike: creator, dates, size, score and verdict, for export */
with final as (
    select
        s.spike_id,
        s.creator_id,
        a.username as creator_username,
        s.start,
        s."end",
        s.followers_gained,
        s.expected_followers,
        s.excess,
        s.score,
        s.verdict,
        s.kind,
        s.flagged_share,
        s.young_share,
        s.cohort_share,
        s.nopic_share
    from spikes as s
    left join accounts as a on a.account_id = s.creator_id
)

select * from final
order by spike_id

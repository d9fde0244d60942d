/* one row per spike: its run summary, the creation-day cohorts of its new followers and its platform context */
with final as (
    select
        s.*,
        c.cohort_share,
        c.flagged_cohort,
        c.flagged_cohort_share,
        x.platform_young,
        x.platform_young_expected,
        x.platform_flagged,
        x.platform_flagged_expected,
        x.signup_followers,
        x.signup_expected,
        x.wave_breadth
    from spikes as s
    left join _spike_cohorts as c on c.spike_id = s.spike_id
    left join _spike_context as x on x.spike_id = s.spike_id
)

select * from final
order by spike_id

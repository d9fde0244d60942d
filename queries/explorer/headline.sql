/* one row per workspace: accounts, creators, follows, date range, labelled and suspicious counts */
with account_totals as (
    select count(*) as accounts
    from accounts
),

-- creator_daily is ~100x smaller than follows: the headline stays cheap at 40M follows.
follow_totals as (
    select
        coalesce(sum(d.new_follows), 0) as follows,
        count(distinct d.creator_id) filter (where d.new_follows > 0) as creators,
        min(d.date) filter (where d.new_follows > 0) as first_day,
        max(d.date) filter (where d.new_follows > 0) as last_day
    from creator_daily as d
),

label_totals as (
    select count(distinct l.account_id) as labelled
    from labels as l
),

spike_totals as (
    select
        count(*) filter (where s.verdict = 'suspicious') as suspicious_spikes,
        count(distinct s.creator_id) filter (where s.verdict = 'suspicious')
            as creators_with_suspicious_spikes
    from spikes as s
),

final as (
    select
        a.accounts,
        ft.creators,
        ft.follows,
        ft.first_day,
        ft.last_day,
        lt.labelled,
        st.suspicious_spikes,
        st.creators_with_suspicious_spikes
    from account_totals as a
    cross join follow_totals as ft
    cross join label_totals as lt
    cross join spike_totals as st
)

select * from final

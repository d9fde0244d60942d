/* one row per workspace: accounts, creators, follows, date range, labelled and suspicious counts */
with account_totals as (
    select count(*) as accounts
    from accounts
),

follow_totals as (
    select
        count(*) as follows,
        count(distinct f.creator_id) as creators,
        min(f.followed_at)::date as first_day,
        max(f.followed_at)::date as last_day
    from follows as f
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

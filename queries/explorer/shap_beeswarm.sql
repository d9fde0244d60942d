/* one row per (sampled account, top feature): SHAP and the value's percentile within the feature */
with ranked as (
    select
        s.feature,
        row_number() over (order by sum(abs(s.shap) * s.weight) / sum(s.weight) desc, s.feature)
            as rank
    from shap_sample as s
    group by s.feature
),

accounts as (
    select distinct s.account_id
    from shap_sample as s
    order by hash(s.account_id)
    limit $accounts
),

final as (
    select
        s.account_id,
        s.feature,
        r.rank,
        s.value,
        s.shap,
        s.stratum,
        percent_rank() over (partition by s.feature order by s.value) as value_pct
    from shap_sample as s
    inner join ranked as r on r.feature = s.feature
    inner join accounts as a on a.account_id = s.account_id
    where r.rank <= $top_features
)

select * from final
order by rank, account_id

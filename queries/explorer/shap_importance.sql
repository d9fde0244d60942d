/* one row per model feature: mean |SHAP| over the global sample, weighted back to the population */
with final as (
    select
        s.feature,
        sum(abs(s.shap) * s.weight) / sum(s.weight) as mean_abs_shap,
        count(distinct s.account_id) as sampled_accounts
    from shap_sample as s
    group by s.feature
)

select * from final
order by mean_abs_shap desc, feature

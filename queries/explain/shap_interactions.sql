/* one row per feature pair: mean |interaction| (log-odds) over the build's interaction sample */
with final as (
    select
        i.feature_a,
        i.feature_b,
        i.strength
    from shap_interactions as i
)

select * from final
order by strength desc, feature_a, feature_b
limit $limit

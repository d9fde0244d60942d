/* one row per feature: quantiles of its values over the reference (genuine or low-score) accounts */
with final as (
    select
        r.feature,
        r.population,
        r.accounts,
        r.quantiles
    from feature_reference as r
)

select * from final
order by feature

/* one row per stratum of the global SHAP sample: accounts sampled and the population they stand for */
with per_account as (
    select
        s.account_id,
        any_value(s.stratum) as stratum,
        any_value(s.weight) as weight
    from shap_sample as s
    group by s.account_id
),

final as (
    select
        p.stratum,
        count(*) as sampled,
        sum(p.weight) as population
    from per_account as p
    group by p.stratum
)

select * from final
order by stratum

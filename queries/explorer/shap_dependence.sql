/* one row per sampled account: a feature's value and SHAP, coloured by a second feature's value */
with target as (
    select
        s.account_id,
        s.value,
        s.shap
    from shap_sample as s
    where s.feature = $feature
),

colour as (
    select
        s.account_id,
        s.value as color_value
    from shap_sample as s
    where s.feature = $color_feature
),

final as (
    select
        t.account_id,
        t.value,
        t.shap,
        c.color_value
    from target as t
    left join colour as c on c.account_id = t.account_id
)

select * from final
order by hash(account_id)
limit 5000

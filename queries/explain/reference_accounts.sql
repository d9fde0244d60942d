/* one row per reference account (labelled genuine, or scored below $low_score): its features */
with genuine as (
    select l.account_id
    from labels as l
    where lower(l.label) = 'genuine'
),

low_score as (
    select s.account_id
    from account_scores as s
    where s.score < $low_score
),

chosen as (
    select g.account_id from genuine as g where $population = 'genuine'
    union all
    select ls.account_id from low_score as ls where $population = 'low_score'
),

final as (
    select f.*
    from account_features as f
    inner join chosen as c on c.account_id = f.account_id
)

select * from final

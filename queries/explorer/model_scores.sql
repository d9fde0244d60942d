/* one row per account: the model's calibrated P(fake) */
with final as (
    select s.account_id, s.score
    from account_scores as s
)

select * from final
order by account_id

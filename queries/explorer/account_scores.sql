/* one row per account: calibrated score (for applying a policy) */
with final as (
    select
        s.account_id,
        s.score
    from account_scores as s
)

select * from final

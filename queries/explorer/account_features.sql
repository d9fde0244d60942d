/* one row per account: every feature column (for applying a policy's rules) */
with final as (
    select f.*
    from account_features as f
)

select * from final

/* one row per account (one account): every feature column, for an on-demand explanation */
with final as (
    select f.*
    from account_features as f
    where f.account_id = $account_id
)

select * from final

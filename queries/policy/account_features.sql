/* one row per account: every feature column the rules may read */
with final as (
    select f.*
    from account_features as f
)

select * from final
order by account_id

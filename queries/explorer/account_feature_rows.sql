/* one row per requested account: every feature column (for explaining a table's rows on demand) */
with wanted as (
    select unnest(cast($ids as bigint[])) as account_id
),

final as (
    select f.*
    from account_features as f
    inner join wanted as w on w.account_id = f.account_id
)

select * from final
order by account_id

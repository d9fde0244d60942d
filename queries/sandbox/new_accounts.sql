/* one row per account of the scratch world that the original world lacks: the injected batch */
with original as (
    select unnest(cast($original_ids as bigint[])) as account_id
),

final as (
    select a.account_id
    from accounts as a
    anti join original as o on o.account_id = a.account_id
)

select * from final
order by account_id

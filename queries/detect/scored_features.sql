/* one row per account: model scores beside the account's features (what a policy's rules read) */
with final as (
    select *
    from _model_scores as s
    inner join account_features as f using (account_id)
)

select * from final
order by account_id

/* one row per account (one account): its profile columns and build-time scores */
with final as (
    select
        a.*,
        s.score,
        s.oof_score
    from accounts as a
    left join account_scores as s on s.account_id = a.account_id
    where a.account_id = $account_id
)

select * from final

/* one row per account: calibrated model score and, for training rows, the out-of-fold score */
with final as (
    select
        s.account_id,
        s.score,
        o.oof_score
    from _raw_scores as s
    left join _oof_scores as o on o.account_id = s.account_id
)

select * from final
order by account_id

/* one row per scored account that has features: its model score and out-of-fold score, by account (what account_scores flags) */
-- only the three columns the flagging reads: carrying the ~40 feature columns through the join
-- and the sort cost 1-2 s at 1M accounts for nothing
with final as (
    select
        s.account_id,
        s.score,
        s.oof_score
    from _model_scores as s
    inner join account_features as f on f.account_id = s.account_id
)

select * from final
order by account_id

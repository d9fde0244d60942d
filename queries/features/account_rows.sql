/* one row per account: its profile features, follow behaviour and given values, side by side */
with final as (
    select *
    from _profile_features as p
    left join _given_features as g using (account_id)
    left join _follow_features as b using (account_id)
)

select * from final
order by account_id

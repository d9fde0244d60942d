/* one row per account: its profile features and given values (no follow log observed) */
with final as (
    select *
    from _profile_features as p
    left join _given_features as g using (account_id)
)

select * from final
order by account_id

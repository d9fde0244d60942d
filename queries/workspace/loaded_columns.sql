/* one row per column the data files really had values for: table and column name */
with final as (
    select
        lc.table_name,
        lc.column_name
    from loaded_columns as lc
)

select * from final
